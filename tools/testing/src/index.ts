export { CHROMIUM_ARGS, CHROMIUM_PATH, launchChromium, type LaunchedChromium, type LaunchChromiumOptions } from "./launch-chromium.js";
export { fakeOpener, type FakeOpener } from "./fake-opener.js";
