export * from "./resources.js";
export * from "./rules.js";
export * from "./evaluate.js";
export * from "./settle.js";
