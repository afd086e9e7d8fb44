package pass

//go:generate go run ./internal/vectorgen -out ../testdata/pd1
