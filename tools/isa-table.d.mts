/** The JSON text of isa/instructions.ts tableData(computeInstructions()), as tools/build.mjs embeds it. */
export function isaTableJson(): Promise<string>;
