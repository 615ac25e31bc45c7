# The document's section-4 program, verbatim except for three marked changes, used to produce
# document-trajectory.csv (the expected data of dev.myelin.nn.DocumentTrajectoryTest):
#   1. fixed initial parameters W=[[0.5],[0.25]], b=[[0.125]] instead of np.random.rand (so Myelin can
#      start from the same model);
#   2. train() records each epoch's printed loss and the parameters after that epoch's update instead of
#      printing them;
#   3. the trajectory is written as CSV to stdout.
# Reproduce: python3 document_program.py > document-trajectory.csv   (numpy, float64 throughout)
import numpy as np

# 定义激活函数
def sigmoid(x):
    return 1 / (1 + np.exp(-x))

# 定义损失函数
def loss_function(y_true, y_pred):
    return np.mean(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))

# 定义前向传播函数
def forward_pass(X, W, b):
    Z = np.dot(X, W) + b
    y = sigmoid(Z)
    return y

# 定义反向传播函数
def backward_pass(X, y, y_pred, W, b):
    dZ = y_pred - y
    dW = np.dot(X.T, dZ)
    db = np.sum(dZ)
    dY_pred = dZ * sigmoid(y_pred) * (1 - sigmoid(y_pred))
    return dW, db, dY_pred

# 定义优化算法
def train(X, y, W, b, learning_rate, epochs, rows):                       # change 2
    for epoch in range(epochs):
        y_pred = forward_pass(X, W, b)
        loss = loss_function(y, y_pred)
        dW, db, dY_pred = backward_pass(X, y, y_pred, W, b)
        W -= learning_rate * dW
        b -= learning_rate * db
        rows.append((epoch + 1, loss, W[0, 0], W[1, 0], b[0, 0]))         # change 2
    return W, b

# 数据集
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = np.array([[0], [1], [1], [0]])

# 初始化权重和偏置
W = np.array([[0.5], [0.25]])                                              # change 1
b = np.array([[0.125]])                                                    # change 1

# 训练模型
learning_rate = 0.1
epochs = 1000
rows = []
W, b = train(X, y, W, b, learning_rate, epochs, rows)
print("epoch,printed_loss,w0_after,w1_after,b_after")                     # change 3
for r in rows:
    print(",".join(repr(float(v)) if i else str(v) for i, v in enumerate(r)))
