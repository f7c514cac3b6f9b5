/* One call per LAMON-MIB module; each module registers its own OIDs. */
#include "mib_modules.h"

void mib_modules_init(void)
{
}
