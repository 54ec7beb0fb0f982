#!/usr/bin/python3
"""Converts two datasets that scikit-learn ships (Debian's python3-sklearn) to CSV files
for descent, split 80/20 by a fixed seed, and writes the scores of scikit-learn's own
models on the same split to baselines.json: the figures descent's optimisers are held to.

  breast_cancer_{train,test}.csv  569 x 30, 2 classes (0 malignant, 1 benign): integer
                                  targets, read as classes
  diabetes_{train,test}.csv       442 x 10, a disease progression score: written as
                                  floats (151.0), read as a regression target

Each file has a header: the feature names (spaces made underscores), then `target`.
Numbers are written with Python's repr, which round-trips float64 exactly. The split is
sklearn's train_test_split with test_size=0.2 and random_state=SEED, stratified by class
for breast cancer.

Baselines, with features standardised by a StandardScaler fitted on the training part
only (population std), as descent's --standardize does:
  LogisticRegression(C=1.0, max_iter=10000): test accuracy and log loss
  Ridge(alpha=1.0): test RMSE and R^2; LinearRegression (no penalty) for comparison
  the majority class and the training mean, as floors

Run from this folder: /usr/bin/python3 gen_sklearn.py
"""

import csv
import json
import math

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

SEED = 20240611


def write(name, names, x, y, integer):
    with open(name, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([n.replace(" ", "_") for n in names] + ["target"])
        for row, t in zip(x, y):
            w.writerow([repr(float(v)) for v in row] + [str(int(t)) if integer else repr(float(t))])


def split(name, d, classify):
    x, y = d.data, d.target
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, random_state=SEED,
                                          stratify=y if classify else None)
    write(name + "_train.csv", d.feature_names, xtr, ytr, classify)
    write(name + "_test.csv", d.feature_names, xte, yte, classify)
    sc = StandardScaler().fit(xtr)
    return sc.transform(xtr), sc.transform(xte), ytr, yte


out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "seed": SEED, "test_size": 0.2}

xtr, xte, ytr, yte = split("breast_cancer", load_breast_cancer(), True)
lr = LogisticRegression(C=1.0, max_iter=10000).fit(xtr, ytr)
acc = accuracy_score(yte, lr.predict(xte))
majority = np.bincount(ytr).argmax()
out["breast_cancer"] = {
    "train": len(ytr), "test": len(yte), "features": xtr.shape[1], "classes": 2,
    "logistic_regression": {"C": 1.0, "max_iter": 10000, "n_iter": int(lr.n_iter_[0]),
                            "test_accuracy": acc,
                            "test_log_loss": log_loss(yte, lr.predict_proba(xte)),
                            "train_accuracy": accuracy_score(ytr, lr.predict(xtr))},
    "majority_class_test_accuracy": float(np.mean(yte == majority)),
    "acceptance": {"test_accuracy_at_least": acc - 0.01},
}

xtr, xte, ytr, yte = split("diabetes", load_diabetes(), False)
ridge = Ridge(alpha=1.0).fit(xtr, ytr)
ols = LinearRegression().fit(xtr, ytr)
rmse = math.sqrt(mean_squared_error(yte, ridge.predict(xte)))
out["diabetes"] = {
    "train": len(ytr), "test": len(yte), "features": xtr.shape[1],
    "ridge": {"alpha": 1.0, "test_rmse": rmse, "test_r2": r2_score(yte, ridge.predict(xte)),
              "train_rmse": math.sqrt(mean_squared_error(ytr, ridge.predict(xtr)))},
    "linear_regression": {"test_rmse": math.sqrt(mean_squared_error(yte, ols.predict(xte))),
                          "test_r2": r2_score(yte, ols.predict(xte))},
    "train_mean_test_rmse": math.sqrt(mean_squared_error(yte, np.full(len(yte), ytr.mean()))),
    "target_std_train": float(ytr.std()),
    "acceptance": {"test_rmse_at_most": 1.05 * rmse},
}

with open("baselines.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
