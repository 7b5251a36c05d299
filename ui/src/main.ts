// First: the start-up trace notes when the bundle began to run.
import { markStartup } from "./lib/startup";
import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { appStart } from "./lib/api";
import { resolveFontStacks } from "./lib/fonts";

// Asked first, so the shell opens the engagement while the page sets itself up and lays out
// its first frame.
const start = appStart();
// Handled by App; a rejection is not unhandled in the meantime.
start.catch(() => {});
// Before anything is laid out (see fonts.ts).
resolveFontStacks();
const app = mount(App, { target: document.getElementById("app")!, props: { start } });
markStartup("mounted");

export default app;
