module govercmp

go 1.22
