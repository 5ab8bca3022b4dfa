(component
  (core module $m (func (export "f") (param i32 i32)))
  (core instance $i (instantiate $m))
  (func (export "greet") (param "name" string) (canon lift (core func $i "f")))
)
