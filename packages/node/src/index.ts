/**
 * `@mkp/node`: Makeprintable on Node, shared by the `mkp` command and `@mkp/mcp` — where `mkp login`
 * keeps its token, which credential a tool uses (`MAKEPRINTABLE_API_KEY`, else that login), and the
 * main job on a machine: repairing a file on disk.
 * @packageDocumentation
 */
export { configDir, tokenFilePath, type PlaceOptions } from "./config-dir.js";
export { saveLogin, readLogin, deleteLogin, StoredLogin, type LoginToSave } from "./token-store.js";
export {
  resolveCredential,
  findCredentials,
  Credential,
  STORED_LOGIN,
  API_KEY_VARIABLE,
  BASE_URL_VARIABLE,
  type CredentialOptions,
  type FoundCredentials,
} from "./credential.js";
export {
  resolveSettings,
  resolveBaseUrl,
  resolveBaseUrlSetting,
  resolveAuthorizeUrl,
  AUTHORIZE_URL_VARIABLE,
  type Setting,
  type GivenSetting,
  type Settings,
  type SettingsOptions,
  type AuthorizeUrlOptions,
} from "./settings.js";
export {
  repairModel,
  downloadFix,
  downloadFile,
  uploadSource,
  checkSource,
  checkOutput,
  repairedFileName,
  sourceFileName,
  isUrl,
  isFixFailed,
  startFix,
  type RepairModelInput,
  type RepairProgressOptions,
  type RepairResult,
  type FixOptions,
} from "./repair-model.js";
export {
  CredentialError,
  NotLoggedInError,
  LoginExpiredError,
  LoginElsewhereError,
  StoredLoginError,
  AuthorizationDiscoveryError,
  RepairInputError,
  OutputExistsError,
  RepairStoppedError,
  DownloadError,
  WaitInterruptedError,
  FixFailedError,
  RepairJournalError,
} from "./errors.js";
export {
  adviceFor,
  shellWord,
  type Advice,
  type AdviceContext,
  type AdviceKind,
  type AdviceSetting,
  type AdviceSurface,
  type ResumeChoices,
} from "./advice.js";
export { repairMany, type BatchModel, type BatchStage, type ModelResult, type RepairManyOptions } from "./repair-many.js";
export { RepairJournal, type JournalEntry, type JournalStage } from "./repair-journal.js";
