/* Registration of every LAMON-MIB module of the agent. */
#ifndef LAMON_MIB_MODULES_H
#define LAMON_MIB_MODULES_H
void mib_modules_init(void);
#endif
