module golist
go 1.21
