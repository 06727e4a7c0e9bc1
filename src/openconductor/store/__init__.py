"""Storage: the ports the rest of OpenConductor uses, and the SQL implementation behind them."""
