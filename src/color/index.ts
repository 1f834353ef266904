// Public API of src/color: re-exports only.
export {};
