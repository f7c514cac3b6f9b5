/* lamonOpNextIndex and lamonOpTable (RowStatus createAndGo / destroy), and
 * the wiring of the operation list to the rest of the agent: its timers on
 * the agent's loop, node state stopping(5) before a reboot or shutdown,
 * lamonOpCompleted notifications, aging by op_keep.
 *
 * SNMP errors of a row write (all decided in RESERVE, so a request with one
 * bad varbind changes nothing):
 *   wrongType / wrongLength     value of the wrong ASN type or size
 *   wrongValue                  enum out of range, createAndWait, notReady,
 *                               an argument of invalid syntax
 *   inconsistentValue           createAndGo without lamonOpType, without a
 *                               required argument, for an unknown application
 *                               or kernel, on an existing row, or while the
 *                               target is busy; destroy of a queued or running row
 *   inconsistentName            a column written to a row that does not exist,
 *                               without createAndGo
 *   noCreation                  an index outside 1..4294967295 or a malformed instance
 *   notWritable                 the read-only columns */
#ifndef LAMON_OP_MIB_H
#define LAMON_OP_MIB_H

void op_mib_init(void);
void op_mib_shutdown(void);

#endif
