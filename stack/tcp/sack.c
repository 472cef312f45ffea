#include "tcp/sack.h"
