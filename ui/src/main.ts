import "./app.css";

import { mount } from "svelte";

import App from "./App.svelte";
import { tauriBackend } from "./backend/tauri";

const target = document.getElementById("app");
if (target) mount(App, { target, props: { backend: tauriBackend() } });
