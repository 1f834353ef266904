// Public API of src/hints: re-exports only. Named lists where a file also exports internals (its tests import those from the file).
export * from './color-hint.js';
export { hintColorToAb, HINT_COLOR_FORMS } from './hint-color.js';
export * from './encode-hints.js';
export * from './simulate-hints.js';
export * from './hint-objective.js';
export * from './hints-json.js';
export { propagateHints, poolHintPlanes, PROPAGATE_HINTS_DEFAULTS } from './propagate-hints.js';
export type { PropagateHintsOptions, HintGrid } from './propagate-hints.js';
