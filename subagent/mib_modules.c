/* One call per LAMON-MIB module; each module registers its own OIDs. */
#include "mib_modules.h"
#include "node_mib.h"
#include "app_mib.h"
#include "app_control.h"
#include "kernel_mib.h"
#include "op_mib.h"
#include "ipvs_mib.h"

void mib_modules_init(void)
{
    node_mib_init();
    app_mib_init();
    op_mib_init();          /* the operation list first: the others queue into it */
    app_control_init();
    kernel_mib_init();
    ipvs_mib_init();
}

void mib_modules_shutdown(void)
{
    /* The operations first: their runner kills the status checks and
     * leaves the operations' commands to finish (see op_runner.h). */
    op_mib_shutdown();
    app_mib_shutdown();
    node_mib_shutdown();
}
