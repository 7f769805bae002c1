export * from './operands.js';
export * from './instructions.js';
export * from './codec.js';
export * from './csrs.js';
export * from './registers.js';
