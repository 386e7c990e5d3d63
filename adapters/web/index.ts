// The web chat adapter: chat sessions over HTTP, the conversation over a WebSocket, the widget.
export { createWebAdapter, startWebAdapter, type WebAdapterOptions } from "./web-adapter.js";
