#include "tcp/cc.h"
