import { defineConfig } from "vite";

// The dev server forwards API and WebSocket traffic to the backend's local
// server, so the page and the API share one origin as they do in production.
const backend = process.env.SHTAB_BACKEND_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
  },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/api": { target: backend, changeOrigin: true },
      "/ws": { target: backend.replace(/^http/, "ws"), ws: true, changeOrigin: true },
    },
  },
});
