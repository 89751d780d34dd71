module testmax.local/consumer

go 1.19
