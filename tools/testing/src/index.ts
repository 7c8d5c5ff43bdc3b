export { CHROMIUM_ARGS, CHROMIUM_PATH, launchChromium, type LaunchedChromium, type LaunchChromiumOptions } from "./launch-chromium.js";
