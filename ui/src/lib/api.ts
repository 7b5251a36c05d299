// The engine, as the UI reaches it: one typed function per Tauri command. Argument and result
// types are generated from the shell's Rust transport types (./bindings, by ts-rs). Every
// failure arrives as a CommandError `{code, message}`; the UI branches on `code` only.

import { Channel, invoke } from "@tauri-apps/api/core";
import type { ChoosePurpose } from "./bindings/ChoosePurpose";
import type { CommandError } from "./bindings/CommandError";
import type { ControlInputJson } from "./bindings/ControlInputJson";
import type { ControlJson } from "./bindings/ControlJson";
import type { DropJson } from "./bindings/DropJson";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { EngagementJson } from "./bindings/EngagementJson";
import type { FileHandleJson } from "./bindings/FileHandleJson";
import type { FrequencyKind } from "./bindings/FrequencyKind";
import type { MappingJson } from "./bindings/MappingJson";
import type { NewEngagementJson } from "./bindings/NewEngagementJson";
import type { PopulationItemJson } from "./bindings/PopulationItemJson";
import type { PopulationJson } from "./bindings/PopulationJson";
import type { PreviewJson } from "./bindings/PreviewJson";
import type { ProgressJson } from "./bindings/ProgressJson";
import type { RecentJson } from "./bindings/RecentJson";
import type { StartJson } from "./bindings/StartJson";
import type { TrailJson } from "./bindings/TrailJson";
import type { StartupReportJson } from "./bindings/StartupReportJson";
import { isErrorCode } from "./errors";
import { commandTimed } from "./startup";

export type { CommandError, ErrorCode };

/** Anything thrown by a command, as a CommandError (a transport failure, or a code the shell
 * does not send, becomes `internal`). */
export function asCommandError(e: unknown): CommandError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const { code, message } = e as { code: unknown; message: unknown };
    if (isErrorCode(code) && typeof message === "string") return { code, message };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: "internal", message: `Tickmark could not complete the request: ${message}` };
}

export function isCommandError(e: unknown): e is CommandError {
  return !!e && typeof e === "object" && isErrorCode((e as CommandError).code);
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  const sent = performance.now();
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw asCommandError(e);
  } finally {
    commandTimed(command, sent, performance.now());
  }
}

export const appStart = () => call<StartJson>("app_start");
export const recentList = () => call<RecentJson[]>("recent_list");
/** `file` is the handle the recent list carries. */
export const recentForget = (file: string) => call<RecentJson[]>("recent_forget", { file });

export const engagementCheck = (input: NewEngagementJson) => call<null>("engagement_check", { input });
// Every `file` below is a handle from `fileChoose`, a drop or the recent list (src-tauri/src/files.rs).
/** `passphrase` encrypts the new file (SQLCipher); null leaves it plain. */
export const engagementCreate = (file: string, input: NewEngagementJson, passphrase: string | null = null) =>
  call<EngagementJson>("engagement_create", { file, input, passphrase });
/** An encrypted file needs its `passphrase`: without it, or with another, the error's code is `encrypted`. */
export const engagementOpen = (file: string, passphrase: string | null = null) =>
  call<EngagementJson>("engagement_open", { file, passphrase });
export const engagementClose = () => call<null>("engagement_close");
/** The page's start-up milestones, for the start-up trace (sent only when it is on). */
export const startupReport = (report: StartupReportJson) => call<null>("startup_report", { report });

export const controlsList = () => call<ControlJson[]>("controls_list");
export const controlAdd = (input: ControlInputJson) => call<ControlJson>("control_add", { input });
export const controlsImport = (file: string, sheet: string | null = null) =>
  call<ControlJson[]>("controls_import", { file, sheet });

export const sourcePreview = (file: string, sheet: string | null = null) =>
  call<PreviewJson>("source_preview", { file, sheet });

/** Shows the native dialog for `purpose` (opened by the shell); null when cancelled. */
export const fileChoose = (purpose: ChoosePurpose, suggested: string | null = null) =>
  call<FileHandleJson | null>("file_choose", { purpose, suggested });

/** Imports a population; `onProgress` hears from the engine as the file is read. */
export function populationImport(
  control: string,
  file: string,
  mapping: MappingJson,
  onProgress: (p: ProgressJson) => void,
): Promise<PopulationJson> {
  const channel = new Channel<ProgressJson>();
  channel.onmessage = onProgress;
  return call<PopulationJson>("population_import", { control, file, mapping, onProgress: channel });
}
export const populationImportCancel = () => call<null>("population_import_cancel");
export const populationGenerate = (control: string, frequency: FrequencyKind, businessDays: boolean) =>
  call<PopulationJson>("population_generate", { control, frequency, businessDays });
export const populationCurrent = (control: string) => call<PopulationJson | null>("population_current", { control });
export const populationAccept = (control: string) => call<PopulationJson>("population_accept", { control });
/**
 * Records a rule scoping the control's sampling frame (`outside-period`, `blank-key`,
 * `duplicate-key`, `column:NAME=V1|V2`, `lines:L1,L2-L5`) with its reason. Once the control
 * has a sample, `replaceSample` gives the reason for setting it aside (it stays on record).
 */
export const populationExclude = (control: string, rule: string, reason: string, replaceSample: string | null) =>
  call<PopulationJson>("population_exclude", { control, rule, reason, replaceSample });
export const populationItems = (populationId: number, offset: number, limit: number) =>
  call<PopulationItemJson[]>("population_items", { populationId, offset, limit });

/** Items whose key starts with `query` (case ignored), in position order: the grid's search. */
export const populationFind = (populationId: number, query: string, limit: number) =>
  call<PopulationItemJson[]>("population_find", { populationId, query, limit });

export const trailList = () => call<TrailJson>("trail_list");

/** Hears files dragged onto the window (the native drag-and-drop; each dropped file comes with a handle). */
export function watchDrops(onDrop: (d: DropJson) => void): Promise<null> {
  const channel = new Channel<DropJson>();
  channel.onmessage = onDrop;
  return call<null>("drops_watch", { onDrop: channel });
}

// ---- Fieldwork: sampling, testing, conclusion, interviews, export ----

import type { ConclusionJson } from "./bindings/ConclusionJson";
import type { ConclusionKindJson } from "./bindings/ConclusionKindJson";
import type { ConclusionViewJson } from "./bindings/ConclusionViewJson";
import type { DistributionKind } from "./bindings/DistributionKind";
import type { EvidenceJson } from "./bindings/EvidenceJson";
import type { ExceptionInputJson } from "./bindings/ExceptionInputJson";
import type { ExceptionJson } from "./bindings/ExceptionJson";
import type { ExportFormatKind } from "./bindings/ExportFormatKind";
import type { ExportJson } from "./bindings/ExportJson";
import type { Section4Json } from "./bindings/Section4Json";
import type { FileCheckJson } from "./bindings/FileCheckJson";
import type { FrequencyRowJson } from "./bindings/FrequencyRowJson";
import type { InterviewInputJson } from "./bindings/InterviewInputJson";
import type { InterviewJson } from "./bindings/InterviewJson";
import type { OutcomeKind } from "./bindings/OutcomeKind";
import type { PlanJson } from "./bindings/PlanJson";
import type { RecordedResultJson } from "./bindings/RecordedResultJson";
import type { ReviewNoteJson } from "./bindings/ReviewNoteJson";
import type { RiskKind } from "./bindings/RiskKind";
import type { SampleCheckJson } from "./bindings/SampleCheckJson";
import type { SampleJson } from "./bindings/SampleJson";
import type { SampleRequestJson } from "./bindings/SampleRequestJson";
import type { SignOffJson } from "./bindings/SignOffJson";
import type { SignOffRoleKind } from "./bindings/SignOffRoleKind";
import type { TestingJson } from "./bindings/TestingJson";

export const frequencyTable = () => call<FrequencyRowJson[]>("frequency_table");
/** The firm's table; an event-driven control is planned from its frame's number of occurrences. */
export const planFrequency = (control: string, frequency: FrequencyKind, risk: RiskKind) =>
  call<PlanJson>("plan_frequency", { control, frequency, risk });
export const planAttributeSize = (
  confidence: string,
  tolerableRate: string,
  expectedRate: string,
  distribution: DistributionKind,
  populationSize: number | null,
) => call<PlanJson>("plan_attribute_size", { confidence, tolerableRate, expectedRate, distribution, populationSize });
export const planTestOfOne = (rationale: string) => call<PlanJson>("plan_test_of_one", { rationale });
export const seedPropose = () => call<string>("seed_propose");
export const sampleCurrent = (control: string) => call<SampleJson | null>("sample_current", { control });
export const sampleDraw = (control: string, request: SampleRequestJson) =>
  call<SampleJson>("sample_draw", { control, request });
export const sampleExtend = (control: string, newSize: number) =>
  call<SampleJson>("sample_extend", { control, newSize });
/** Voids an item that cannot be tested; its replacement (the stream's next item) is appended. */
export const sampleVoid = (control: string, ordinal: number, reason: string) =>
  call<SampleJson>("sample_void", { control, ordinal, reason });
export const sampleVerify = (control: string) => call<SampleCheckJson[]>("sample_verify", { control });
/** Re-performs the control's recorded sample from a copy of the client's file; reads only. */
export const sampleReperformFile = (control: string, file: string) =>
  call<FileCheckJson>("sample_reperform_file", { control, file });

export const testingLoad = (control: string) => call<TestingJson>("testing_load", { control });
/** Records one result; the answer carries the testing progress as the engine now counts it. */
export const resultRecord = (control: string, ordinal: number, attribute: string, outcome: OutcomeKind, comment: string) =>
  call<RecordedResultJson>("result_record", { control, ordinal, attribute, outcome, comment });
export const exceptionRecord = (control: string, ordinal: number, input: ExceptionInputJson) =>
  call<ExceptionJson>("exception_record", { control, ordinal, input });
export const evidenceAddFile = (control: string, ordinal: number | null, file: string) =>
  call<EvidenceJson>("evidence_add_file", { control, ordinal, file });
export const evidenceAddReference = (control: string, ordinal: number | null, reference: string) =>
  call<EvidenceJson>("evidence_add_reference", { control, ordinal, reference });
export const evidenceExport = (id: number, file: string) => call<string>("evidence_export", { id, file });

export const conclusionLoad = (control: string) => call<ConclusionViewJson>("conclusion_load", { control });
export const conclude = (control: string, kind: ConclusionKindJson | null, reason: string | null) =>
  call<ConclusionJson>("conclude", { control, kind, reason });
export const signOff = (control: string, role: SignOffRoleKind, signer: string) =>
  call<SignOffJson>("sign_off", { control, role, signer });
export const reviewNoteAdd = (control: string, text: string, by: string) =>
  call<ReviewNoteJson>("review_note_add", { control, text, by });
export const reviewNoteAnswer = (id: number, answer: string, by: string) =>
  call<ReviewNoteJson>("review_note_answer", { id, answer, by });
export const reviewNoteClear = (id: number, by: string) => call<ReviewNoteJson>("review_note_clear", { id, by });

export const interviewsList = () => call<InterviewJson[]>("interviews_list");
export const interviewAdd = (input: InterviewInputJson) => call<InterviewJson>("interview_add", { input });
export const interviewEdit = (id: number, input: InterviewInputJson) =>
  call<InterviewJson>("interview_edit", { id, input });

export const workpaperExport = (control: string | null, format: ExportFormatKind, file: string) =>
  call<ExportJson>("workpaper_export", { control, format, file });
export const section4Export = (draft: boolean, file: string) => call<Section4Json>("section4_export", { draft, file });

// ---- The engagement dashboard, coverage, procedures, walkthroughs, deficiencies, objectives ----

import type { CoverageJson } from "./bindings/CoverageJson";
import type { DashboardRowJson } from "./bindings/DashboardRowJson";
import type { DeficiencyInputJson } from "./bindings/DeficiencyInputJson";
import type { DeficiencyJson } from "./bindings/DeficiencyJson";
import type { ObjectiveJson } from "./bindings/ObjectiveJson";
import type { ProcedureInputJson } from "./bindings/ProcedureInputJson";
import type { ProcedureStepJson } from "./bindings/ProcedureStepJson";
import type { WalkthroughInputJson } from "./bindings/WalkthroughInputJson";
import type { WalkthroughJson } from "./bindings/WalkthroughJson";

export const dashboardLoad = () => call<DashboardRowJson[]>("dashboard_load");
export const coverageLoad = () => call<CoverageJson>("coverage_load");
export const proceduresList = (control: string) => call<ProcedureStepJson[]>("procedures_list", { control });
/** Appends a step; answers the control's whole procedure. */
export const procedureAdd = (control: string, input: ProcedureInputJson) =>
  call<ProcedureStepJson[]>("procedure_add", { control, input });
/** Rewrites step `position` (1-based); answers the control's whole procedure. */
export const procedureEdit = (control: string, position: number, input: ProcedureInputJson) =>
  call<ProcedureStepJson[]>("procedure_edit", { control, position, input });
export const walkthroughLoad = (control: string) => call<WalkthroughJson | null>("walkthrough_load", { control });
export const walkthroughRecord = (control: string, input: WalkthroughInputJson) =>
  call<WalkthroughJson>("walkthrough_record", { control, input });
export const deficiencyLoad = (control: string) => call<DeficiencyJson | null>("deficiency_load", { control });
export const deficiencyRecord = (control: string, input: DeficiencyInputJson) =>
  call<DeficiencyJson>("deficiency_record", { control, input });
export const objectivesList = () => call<ObjectiveJson[]>("objectives_list");
export const objectiveAdd = (input: ObjectiveJson) => call<ObjectiveJson>("objective_add", { input });

// ---- Client requests (PBC) and next year's engagement ----

import type { CarriedJson } from "./bindings/CarriedJson";
import type { ReceivedJson } from "./bindings/ReceivedJson";
import type { RequestJson } from "./bindings/RequestJson";
import type { RequestsExportJson } from "./bindings/RequestsExportJson";
import type { RolledForwardJson } from "./bindings/RolledForwardJson";
import type { RollforwardCheckJson } from "./bindings/RollforwardCheckJson";

/** Every request (of one control, or all), aged as of now. */
export const requestsList = (control: string | null) => call<RequestJson[]>("requests_list", { control });
/** Makes the requests not made yet (one control, or all) due on `due` (YYYY-MM-DD); answers
 * every request of those controls, new and old. */
export const requestsGenerate = (control: string | null, due: string) =>
  call<RequestJson[]>("requests_generate", { control, due });
export const requestAccept = (code: string) => call<RequestJson>("request_accept", { code });
/** The engine refuses a blank reason: the client reads it. */
export const requestReject = (code: string, reason: string) => call<RequestJson>("request_reject", { code, reason });
/** Writes the client's request list (one control, or all) to `file`, a save-dialog handle. */
export const requestsExport = (control: string | null, file: string) =>
  call<RequestsExportJson>("requests_export", { control, file });
/** Receives the folder behind `folder` (a folder-dialog handle, or a folder dropped on the window). */
export const requestsReceive = (folder: string) => call<ReceivedJson>("requests_receive", { folder });

/** Reads last year's engagement behind `prior` (an open-dialog handle) for the roll-forward
 * form; with a period, also whether it follows the prior one. */
export const rollforwardCheck = (
  prior: string,
  periodStart: string | null,
  periodEnd: string | null,
  passphrase: string | null = null,
) => call<RollforwardCheckJson>("rollforward_check", { prior, periodStart, periodEnd, passphrase });
/** Creates next year's engagement at `file` (a save-dialog handle) and opens it; `force` rolls
 * forward onto a period that does not follow the prior one. */
export const engagementRollforward = (
  prior: string,
  file: string,
  periodStart: string,
  periodEnd: string,
  force: boolean,
  passphrase: string | null = null,
) =>
  call<RolledForwardJson>("engagement_rollforward", { prior, file, periodStart, periodEnd, force, passphrase });
export const carriedLoad = (control: string) => call<CarriedJson>("carried_load", { control });
/** Confirms what was carried forward on the control; answers what was confirmed. */
export const carriedConfirm = (control: string) => call<string[]>("carried_confirm", { control });
// ---- Team fieldwork: working copies handed out, recalled and merged back ----

import type { HandoffJson } from "./bindings/HandoffJson";
import type { MergePlanJson } from "./bindings/MergePlanJson";
import type { MergedJson } from "./bindings/MergedJson";
import type { ResolutionJson } from "./bindings/ResolutionJson";
import type { TeamJson } from "./bindings/TeamJson";

export const teamLoad = () => call<TeamJson>("team_load");
/** The save dialog for `assignee`'s working copy, opening beside the engagement on the engine's proposed name. */
export const handoffCopyChoose = (assignee: string) => call<FileHandleJson | null>("handoff_copy_choose", { assignee });
/** `file` is the handle `handoffCopyChoose` issued; `passphrase` encrypts the copy when the engagement is encrypted. */
export const teamHandoff = (assignee: string, controls: string[], file: string, passphrase: string | null = null) =>
  call<HandoffJson>("team_handoff", { assignee, controls, file, passphrase });
export const teamRecall = (branch: string, reason: string) => call<HandoffJson>("team_recall", { branch, reason });
/** What merging the returned copy (`file`, from `fileChoose("returned-copy")`) would do; writes nothing. */
export const teamMergePlan = (file: string, passphrase: string | null = null) =>
  call<MergePlanJson>("team_merge_plan", { file, passphrase });
/** Refused (code `invalid`, nothing written) while a conflict has no side in `resolution`. */
export const teamMerge = (file: string, resolution: ResolutionJson, passphrase: string | null = null) =>
  call<MergedJson>("team_merge", { file, resolution, passphrase });
