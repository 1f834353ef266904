// Types of Vite's `?url` imports and `import.meta.glob` for the example page.
/// <reference types="vite/client" />
