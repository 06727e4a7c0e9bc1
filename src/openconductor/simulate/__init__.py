"""Seeded alert-storm simulator: a service topology, failures that spread through it, and realistic noise.

It writes labelled alert streams that the quality evaluation replays; see docs/simulator.md.
"""

from openconductor.simulate.engine import Simulation
from openconductor.simulate.profiles import Profile, ProfileError, available_profiles, load_profile

__all__ = ["Profile", "ProfileError", "Simulation", "available_profiles", "load_profile"]
