"""placeholder: replaced by the detect, watch and backtest commands."""
