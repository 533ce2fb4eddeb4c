module govercmp

go 1.21
