"""How a model is written: parameters, domains, state variables, actions, properties, faults, quorum systems.

Imports no engine. A protocol module starts with ``from checker.dsl import *``."""
