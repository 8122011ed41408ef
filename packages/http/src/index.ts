export { createErrorHandler, errorAnswer, notFound, ticketProblem, type ErrorHandlerOptions } from './errors.ts';
export type { Answer, FastLane, HandOffReason } from './fast-lane.ts';
export { PROBLEM_CONTENT_TYPE, Problem, problemAnswer, problemBody, problemResponse, type ProblemBody } from './problem.ts';
export { createLogger, requestIdOf, requestLogging, type Logger, type LoggerOptions, type RequestIdEnv, type RequestLogOptions } from './logging.ts';
export { answerWrongMethods } from './method-not-allowed.ts';
export { onShutdown, startServer, type ServeOptions, type ServerHandle, type ShutdownLog } from './server.ts';
export { bearerToken, limitBody } from './validate.ts';
export { clientAddress } from './client-address.ts';
export { fileKeys, publishedKeys, readPublicKeys, type KeysSource, type KeysSourceOptions } from './keys-source.ts';
export {
  BODY_REFUSALS,
  auditResponses,
  invalidRequestHook,
  json,
  jsonBody,
  mergeRefusals,
  openApiApp,
  packageVersion,
  problemSchema,
  problems,
  requireJson,
  serveDocs,
  tokenRefusals,
  type DocsOptions,
  type Refusals,
  type Undocumented,
} from './openapi.ts';
export { corsFor } from './cors.ts';
export { RateWindow, dashboardRoutes, type DashboardOptions, type DashboardView } from './dashboard.ts';
