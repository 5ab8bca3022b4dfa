module wasmscope.example/provider_go

go 1.24
