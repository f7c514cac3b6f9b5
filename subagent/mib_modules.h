/* Registration of every LAMON-MIB module of the agent. */
#ifndef LAMON_MIB_MODULES_H
#define LAMON_MIB_MODULES_H
void mib_modules_init(void);
/* At exit, after the loop ended: frees what the modules hold. */
void mib_modules_shutdown(void);
#endif
