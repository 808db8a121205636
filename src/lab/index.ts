/** The real-kernel lab: a podnet World made of real network namespaces, and tools to probe it. */
export { startCapture, type Capture, type CaptureOptions } from './capture.js';
export { cmd, formatCommand, inNetns, type LabCommand } from './command.js';
export { labAvailable, type LabAvailability } from './available.js';
export { applyCommands, formatFailure, run, runOk, type CommandFailure, type RunResult } from './exec.js';
export { parsePingReplies, ping, readIcmpEchoes, type CapturedEcho, type EchoReply, type PingResult } from './icmp.js';
export { createLab, listLabNetns, teardownLab, teardownStaleLabs, type Lab, type LabOptions, type TeardownReport } from './lab.js';
export { materialize, type MaterializeOptions } from './materialize.js';
export { isLabPrefix, LAB_PREFIX_RE, netnsName, netnsNames, newLabPrefix } from './names.js';
export { execIn } from './netns-exec.js';
export { dropDynamicNeigh, dropLearnedFdb, sortLines, stripIptablesSave, stripLinkDetails } from './normalize.js';
export { probeEcho, type EchoProbe } from './probe.js';
export { recordProcess } from './processes.js';
export { compareLabState, labPrintOptions, normalizeState, printModelState, readRealState, STATE_SECTIONS, waitSettled, type SectionDiff, type StateSection, type StateText } from './readback.js';
export { LAB_STATE_DIR, listLabStates, readLabState, type LabState } from './state-file.js';
