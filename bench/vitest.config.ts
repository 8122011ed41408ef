import { ticketboothProject } from '../vitest.shared.ts';

export default ticketboothProject('bench');
