/* lamonKernelTable: the installed kernels (kernel_grub), with the running
 * and the next-boot one marked.  Writing lamonKernelNextBoot.RELEASE =
 * true(1) queues a kernelSelect operation and returns at once.
 *   false(2), other values  wrongValue
 *   a release that is not in the table  noCreation (rows are never created
 *                                        by a SET; they are files in boot_dir)
 *   the boot loader busy with another operation, or claimed by another
 *   write of the same request (op_table_reserve)  inconsistentValue */
#ifndef LAMON_KERNEL_MIB_H
#define LAMON_KERNEL_MIB_H

void kernel_mib_init(void);

/* RESERVE1 of lamonKernelNextBoot.REL = V: wrongValue or noCreation as
 * above, else SNMP_ERR_NOERROR.  Exposed for the fuzz target. */
int kernel_mib_check_next_boot(const char *rel, long v);

#endif
