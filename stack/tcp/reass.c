#include "tcp/reass.h"
