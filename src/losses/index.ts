// Public API of src/losses: re-exports only.
export {};
