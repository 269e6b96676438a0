export * from "./renderMarkdown.js"
export * from "./startSandbox.js"
