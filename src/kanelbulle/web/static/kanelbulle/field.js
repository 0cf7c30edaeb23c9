/* The phone app (filled in by the next change). */
