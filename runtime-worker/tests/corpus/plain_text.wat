this is a note, not a module
