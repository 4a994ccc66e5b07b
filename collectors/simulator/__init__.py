"""The forge simulator: a seeded public-sector ecosystem served as GitHub and GitLab APIs."""

from collectors.simulator.server import ForgeSimulator
from collectors.simulator.world import World

__all__ = ["ForgeSimulator", "World"]
