// Public API of src/kernels: re-exports only.
export {};
