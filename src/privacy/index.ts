/** Where patient data may go: the policy, the endpoint check and pin, the identifier scan, audit and purge. */
export { type AuditResult, runAudit, summariseEgress } from './audit.js';
export {
  checkEndpoint,
  type Endpoint,
  type InProcessEndpoint,
  isLoopbackAddress,
  type LookupAddresses,
  type NetworkEndpoint,
} from './endpoint-check.js';
export { EndpointGuard, type EndpointGuardOptions } from './endpoint-guard.js';
export { type PhiKind, phiKinds } from './phi-patterns.js';
export { type PhiFinding, type PhiScanReport, scanItems, scanText, summarisePhiScan } from './phi-scan.js';
export {
  applyPrivacyFlags,
  defaultPrivacyPolicy,
  type PrivacyFlags,
  type PrivacyPolicy,
  privacyPolicySchema,
} from './policy.js';
export { type PurgeResult, runPurgeTeacherText } from './purge-teacher-text.js';
export { type RedactionRecord, redactItems } from './redact.js';
export { runPhiScan } from './run-phi-scan.js';
