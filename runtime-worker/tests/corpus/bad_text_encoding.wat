(module (func $ÿþ))
