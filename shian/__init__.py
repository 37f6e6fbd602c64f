"""shian (食安): the working platform of a district food-safety regulator."""
