/** The JSON text of isa/instructions.ts tableData(computeInstructions()), as tools/build.mjs embeds it. */
export function isaTableJson(): Promise<string>;
/** The JSON text of isa/codec.ts planData(), as tools/build.mjs embeds it. */
export function isaPlansJson(): Promise<string>;
