export { CHROMIUM_ARGS, CHROMIUM_PATH, launchChromium, type LaunchedChromium, type LaunchChromiumOptions } from "./launch-chromium.js";
export { fakeOpener, type FakeOpener } from "./fake-opener.js";
export { copyRepository, type CopyRepositoryOptions, type RepositoryCopy } from "./copy-repository.js";
export { ACCOUNT_OPERATION, addAccountOperation } from "./account-operation.js";
export {
  freePort,
  json,
  listenOnLoopback,
  type LoopbackServer,
  type RecordingServer,
  type RequestHandler,
  type SeenRequest,
  startRecordingServer,
} from "./loopback.js";
export { shownForms } from "./shown.js";
