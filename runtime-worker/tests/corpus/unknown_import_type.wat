(module (import "a" "b" (thing)))
