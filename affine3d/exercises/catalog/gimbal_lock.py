"""Exercise 15: Euler angles and gimbal lock. At β = 90° two of the three turns do the same thing."""

from __future__ import annotations

import math

import numpy as np

from ...i18n import N_, _, prose_number
from ..base import Exercise
from ..feedback import Wrong, check, compare, fmt, mistake, rotation_angle_deg
from ..runner import Call
from ._tools import pick, rotation_deg

ANGLE_TOL_DEG = 0.5


def euler(alpha_deg, beta_deg, gamma_deg) -> np.ndarray:
    """R = Rz(γ) @ Ry(β) @ Rx(α): first α about x, then β about y, then γ about z (fixed axes)."""
    return rotation_deg("z", gamma_deg) @ rotation_deg("y", beta_deg) @ rotation_deg("x", alpha_deg)


def _draw_angles(rng):
    return {"alpha": pick(rng, -80, 80, 5, nonzero=True), "beta": pick(rng, 15, 70, 5),
            "gamma": pick(rng, -80, 80, 5, nonzero=True)}


def _draw_twin(rng):
    alpha = pick(rng, -60, 60, 5, nonzero=True)
    gamma = pick(rng, -60, 60, 5, nonzero=True, avoid=(alpha,))
    new_alpha = pick(rng, -60, 60, 5, avoid=(alpha, 0.0))
    return {"alpha": alpha, "gamma": gamma, "new_alpha": new_alpha}


class GimbalLock(Exercise):
    number = 15
    slug = "gimbal-lock"
    title = N_("Euler angles and gimbal lock")
    lecture = N_("3. rotations are affine maps; three angles describe them, but not always uniquely")
    goal = N_("build R from three Euler angles, then show that at β = 90° one degree of freedom is lost")
    functions = ("euler_xyz", "twin")
    own = ("yours", "twin")

    def numbers(self, rng):
        return {"yours": _draw_angles(rng), "other": _draw_angles(rng), "twin": _draw_twin(rng), "twin2": _draw_twin(rng)}

    def task(self, n):
        p, t = n["yours"], n["twin"]
        return _("""
        Three turns about fixed axes, first α about x, then β about y, then γ about z, make one rotation

            R = Rz(γ) @ Ry(β) @ Rx(α)        (column vectors: the turn applied first stands rightmost)

        with, for example, Rz(γ) = [[cos γ, -sin γ, 0], [sin γ, cos γ, 0], [0, 0, 1]] (x turns toward y),
        Ry(β) = [[cos β, 0, sin β], [0, 1, 0], [-sin β, 0, cos β]], Rx(α) = [[1, 0, 0], [0, cos α, -sin α],
        [0, sin α, cos α]].

        1. Write euler_xyz(alpha_deg, beta_deg, gamma_deg): R, from angles in degrees. Yours are
           α = {alpha:g}°, β = {beta:g}°, γ = {gamma:g}°.
        2. Gimbal lock: at β = 90° the first and the last turn act about the same line, and only a
           combination of α and γ matters (work out R by hand to see which one). Write
           twin(alpha_deg, gamma_deg, new_alpha_deg) -> new_gamma_deg, such that
           euler_xyz(new_alpha_deg, 90, new_gamma_deg) is the same rotation as
           euler_xyz(alpha_deg, 90, gamma_deg). Yours: α = {twin_alpha:g}°, γ = {twin_gamma:g}°,
           new α = {new_alpha:g}°.
        """).format(alpha=p["alpha"], beta=p["beta"], gamma=p["gamma"], twin_alpha=t["alpha"], twin_gamma=t["gamma"], new_alpha=t["new_alpha"])

    def constants(self, n):
        p, t = n["yours"], n["twin"]
        return [("ALPHA_DEG", p["alpha"]), ("BETA_DEG", p["beta"]), ("GAMMA_DEG", p["gamma"]),
                ("TWIN_ALPHA_DEG", t["alpha"]), ("TWIN_GAMMA_DEG", t["gamma"]), ("NEW_ALPHA_DEG", t["new_alpha"])]

    def skeleton(self):
        return _('''
        def euler_xyz(alpha_deg, beta_deg, gamma_deg):
            """R = Rz(gamma) @ Ry(beta) @ Rx(alpha), a 3x3 rotation, from angles in degrees."""
            raise NotImplementedError("exercise 15: euler_xyz is not written yet")


        def twin(alpha_deg, gamma_deg, new_alpha_deg):
            """new_gamma_deg with euler_xyz(new_alpha_deg, 90, new_gamma_deg) == euler_xyz(alpha_deg, 90, gamma_deg)."""
            raise NotImplementedError("exercise 15: twin is not written yet")


        if __name__ == "__main__":
            np.set_printoptions(precision=4, suppress=True)
            print(euler_xyz(ALPHA_DEG, BETA_DEG, GAMMA_DEG))
            new_gamma = twin(TWIN_ALPHA_DEG, TWIN_GAMMA_DEG, NEW_ALPHA_DEG)
            print("new gamma:", new_gamma)
            print(euler_xyz(TWIN_ALPHA_DEG, 90, TWIN_GAMMA_DEG), euler_xyz(NEW_ALPHA_DEG, 90, new_gamma), sep="\\n")
        ''')

    def calls(self, n):
        calls = {key: Call("euler_xyz", (n[key]["alpha"], n[key]["beta"], n[key]["gamma"])) for key in ("yours", "other")}
        for key in ("twin", "twin2"):
            t = n[key]
            calls[key] = Call("twin", (t["alpha"], t["gamma"], t["new_alpha"]))
        return calls

    def _euler(self, answers, key, p):
        R = answers.array(key, (3, 3), "R")
        a, b, g = p["alpha"], p["beta"], p["gamma"]
        radians_as_degrees = (rotation_deg("z", math.degrees(g)) @ rotation_deg("y", math.degrees(b))
                              @ rotation_deg("x", math.degrees(a)))
        compare(R, euler(a, b, g), name="R", mistakes=[
            mistake("reverse order", rotation_deg("x", a) @ rotation_deg("y", b) @ rotation_deg("z", g),
                    _("the factors are in the reverse order: α about x comes first, so Rx(α) stands rightmost: "
                    "R = Rz(γ) @ Ry(β) @ Rx(α)")),
            mistake("degrees", radians_as_degrees),
            mistake("transpose", euler(a, b, g).T),
        ])

    def _twin(self, answers, key, t):
        new_gamma = answers.number(key, "new_gamma_deg")
        R = euler(t["alpha"], 90, t["gamma"])
        yours = euler(t["new_alpha"], 90, new_gamma)
        off = rotation_angle_deg(yours, R)
        if off <= ANGLE_TOL_DEG:
            return None
        plus = t["gamma"] - (t["new_alpha"] - t["alpha"])  # keeps α + γ instead of α - γ
        if rotation_angle_deg(euler(t["new_alpha"], 90, plus), euler(t["new_alpha"], 90, new_gamma)) <= ANGLE_TOL_DEG:
            raise Wrong(_("you kept α + γ, but at β = +90° the rotation depends on α - γ only (multiply out "
                        "Rz(γ) Ry(90°) Rx(α): its entries are sin(α - γ) and cos(α - γ)); keep α - γ"),
                        mistake="alpha plus gamma")
        if rotation_angle_deg(euler(t["new_alpha"], 90, math.degrees(new_gamma)), R) <= ANGLE_TOL_DEG:
            raise Wrong(_("this is the angle in radians; twin returns degrees"), mistake="degrees")
        raise Wrong(_("{yours} differs from {target} by a turn of {angle}°").format(
            yours=f"euler_xyz({fmt(t['new_alpha'])}, 90, {fmt(new_gamma)})",
            target=f"euler_xyz({fmt(t['alpha'])}, 90, {fmt(t['gamma'])})", angle=prose_number(off, 1)))

    def grade(self, n, answers):
        return [
            check(_("R for your angles"), 2, lambda: self._euler(answers, "yours", n["yours"])),
            check(_("R for other angles"), 1, lambda: self._euler(answers, "other", n["other"])),
            check(_("gimbal lock: your twin is the same rotation"), 1, lambda: self._twin(answers, "twin", n["twin"])),
            check(_("another twin"), 1, lambda: self._twin(answers, "twin2", n["twin2"])),
        ]
