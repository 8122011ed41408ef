export { createErrorHandler, notFound, ticketProblem, type ErrorHandlerOptions } from './errors.ts';
export { PROBLEM_CONTENT_TYPE, Problem, problemBody, problemResponse, type ProblemBody } from './problem.ts';
export { onShutdown, startServer, type ServeOptions, type ServerHandle } from './server.ts';
export { bearerToken, limitBody, validate } from './validate.ts';
