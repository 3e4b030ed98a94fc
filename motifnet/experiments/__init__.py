"""In-silico experiments with a trained model: variant effects and motif marginalization."""
