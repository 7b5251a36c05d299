// First: the start-up trace notes when the bundle began to run.
import { markStartup } from "./lib/startup";
import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";

const app = mount(App, { target: document.getElementById("app")! });
markStartup("mounted");

export default app;
