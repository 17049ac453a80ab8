

module t_status(clock,reset,ev_ok,ev_crc,ev_framing,ev_overrun,ev_overflow,ev_duplicate,ev_refused,ev_inference,ev_word,hold,idle,index,read,value);
    
    // Module arguments
    input wire  clock;
    input wire  reset;
    input wire  ev_ok;
    input wire  ev_crc;
    input wire  ev_framing;
    input wire  ev_overrun;
    input wire  ev_overflow;
    input wire  ev_duplicate;
    input wire  ev_refused;
    input wire  ev_inference;
    input wire  ev_word;
    input wire  hold;
    output reg  idle;
    input wire  [4:0] index;
    input wire  read;
    output reg  [7:0] value;
    
    // Enums
    localparam StatusState$Clear = 0;
    localparam StatusState$Scan = 1;
    localparam StatusState$Read = 2;
    localparam StatusState$Add = 3;
    
    // Stub signals
    reg  ram$clock;
    reg  [12:0] ram$read_addr;
    reg  ram$read_enable;
    wire  [7:0] ram$read_data;
    reg  [12:0] ram$write_addr;
    reg  [7:0] ram$write_data;
    reg  ram$write_enable;
    reg  [1:0] state$d;
    wire  [1:0] state$q;
    reg  state$clock;
    reg  [6:0] p0$d;
    wire  [6:0] p0$q;
    reg  p0$clock;
    reg  [6:0] p1$d;
    wire  [6:0] p1$q;
    reg  p1$clock;
    reg  [6:0] p2$d;
    wire  [6:0] p2$q;
    reg  p2$clock;
    reg  [6:0] p3$d;
    wire  [6:0] p3$q;
    reg  p3$clock;
    reg  [6:0] p4$d;
    wire  [6:0] p4$q;
    reg  p4$clock;
    reg  [6:0] p5$d;
    wire  [6:0] p5$q;
    reg  p5$clock;
    reg  [6:0] p6$d;
    wire  [6:0] p6$q;
    reg  p6$clock;
    reg  [6:0] p7$d;
    wire  [6:0] p7$q;
    reg  p7$clock;
    reg  [2:0] k$d;
    wire  [2:0] k$q;
    reg  k$clock;
    reg  [1:0] j$d;
    wire  [1:0] j$q;
    reg  j$clock;
    reg  [7:0] addend$d;
    wire  [7:0] addend$q;
    reg  addend$clock;
    reg  [4:0] clear$d;
    wire  [4:0] clear$q;
    reg  clear$clock;
    
    // Local signals
    reg  [6:0] pk;
    reg  [6:0] take;
    reg  [8:0] sum;
    reg  [4:0] addr;
    
    // Sub module instances
    t_status$ram ram(
        .clock(ram$clock),
        .read_addr(ram$read_addr),
        .read_enable(ram$read_enable),
        .read_data(ram$read_data),
        .write_addr(ram$write_addr),
        .write_data(ram$write_data),
        .write_enable(ram$write_enable)
    );
    t_status$state state(
        .d(state$d),
        .q(state$q),
        .clock(state$clock)
    );
    t_status$p0 p0(
        .d(p0$d),
        .q(p0$q),
        .clock(p0$clock)
    );
    t_status$p1 p1(
        .d(p1$d),
        .q(p1$q),
        .clock(p1$clock)
    );
    t_status$p2 p2(
        .d(p2$d),
        .q(p2$q),
        .clock(p2$clock)
    );
    t_status$p3 p3(
        .d(p3$d),
        .q(p3$q),
        .clock(p3$clock)
    );
    t_status$p4 p4(
        .d(p4$d),
        .q(p4$q),
        .clock(p4$clock)
    );
    t_status$p5 p5(
        .d(p5$d),
        .q(p5$q),
        .clock(p5$clock)
    );
    t_status$p6 p6(
        .d(p6$d),
        .q(p6$q),
        .clock(p6$clock)
    );
    t_status$p7 p7(
        .d(p7$d),
        .q(p7$q),
        .clock(p7$clock)
    );
    t_status$k k(
        .d(k$d),
        .q(k$q),
        .clock(k$clock)
    );
    t_status$j j(
        .d(j$d),
        .q(j$q),
        .clock(j$clock)
    );
    t_status$addend addend(
        .d(addend$d),
        .q(addend$q),
        .clock(addend$clock)
    );
    t_status$clear clear(
        .d(clear$d),
        .q(clear$q),
        .clock(clear$clock)
    );
    
    // Update code
    always @(*) begin
        state$clock = clock;
        p0$clock = clock;
        p1$clock = clock;
        p2$clock = clock;
        p3$clock = clock;
        p4$clock = clock;
        p5$clock = clock;
        p6$clock = clock;
        p7$clock = clock;
        k$clock = clock;
        j$clock = clock;
        addend$clock = clock;
        clear$clock = clock;
        state$d = state$q;
        p0$d = p0$q;
        p1$d = p1$q;
        p2$d = p2$q;
        p3$d = p3$q;
        p4$d = p4$q;
        p5$d = p5$q;
        p6$d = p6$q;
        p7$d = p7$q;
        k$d = k$q;
        j$d = j$q;
        addend$d = addend$q;
        clear$d = clear$q;
        ram$clock = clock;
        case (k$q)
            0:
                begin
                    pk = p0$q;
                end
            1:
                begin
                    pk = p1$q;
                end
            2:
                begin
                    pk = p2$q;
                end
            3:
                begin
                    pk = p3$q;
                end
            4:
                begin
                    pk = p4$q;
                end
            5:
                begin
                    pk = p5$q;
                end
            6:
                begin
                    pk = p6$q;
                end
            default:
                begin
                    pk = p7$q;
                end
        endcase
        take = 32'h0;
        addr = (((k$q) & 5'h1f) << 32'h2) | ((j$q) & 5'h1f);
        sum = ((ram$read_data) & 9'h1ff) + ((addend$q) & 9'h1ff);
        ram$read_addr = ((addr) & 13'h1fff);
        ram$read_enable = 1'b0;
        ram$write_addr = ((addr) & 13'h1fff);
        ram$write_data = ((sum) & 8'hff);
        ram$write_enable = 1'b0;
        value = ram$read_data;
        idle = 1'b0;
        case (state$q)
            StatusState$Clear:
                begin
                    ram$write_addr = ((clear$q) & 13'h1fff);
                    ram$write_data = 32'h0;
                    ram$write_enable = 1'b1;
                    clear$d = clear$q + 32'h1;
                    if (clear$q == 32'h1f) begin
                        state$d = StatusState$Scan;
                    end
                end
            StatusState$Scan:
                begin
                    idle = 1'b1;
                    if (hold) begin
                        ram$read_addr = ((index) & 13'h1fff);
                        ram$read_enable = read;
                    end
                    else if (pk != 32'h0) begin
                        take = pk;
                        addend$d = ((pk) & 8'hff);
                        j$d = 32'h0;
                        state$d = StatusState$Read;
                    end
                    else begin
                        k$d = k$q + 32'h1;
                    end
                end
            StatusState$Read:
                begin
                    ram$read_enable = 1'b1;
                    state$d = StatusState$Add;
                end
            StatusState$Add:
                begin
                    ram$write_enable = 1'b1;
                    addend$d = 32'h1;
                    state$d = StatusState$Scan;
                    k$d = k$q + 32'h1;
                    if (sum[32'h8] & (j$q != 32'h3)) begin
                        j$d = j$q + 32'h1;
                        k$d = k$q;
                        state$d = StatusState$Read;
                    end
                end
            default:
                begin
                    state$d = StatusState$Scan;
                end
        endcase
        if ((k$q == 32'h0) & (take != 32'h0)) begin
            p0$d = ((ev_ok) & 7'h7f);
        end
        else if (p0$q != 32'h7f) begin
            p0$d = p0$q + ((ev_ok) & 7'h7f);
        end
        if ((k$q == 32'h1) & (take != 32'h0)) begin
            p1$d = ((ev_crc) & 7'h7f);
        end
        else if (p1$q != 32'h7f) begin
            p1$d = p1$q + ((ev_crc) & 7'h7f);
        end
        if ((k$q == 32'h2) & (take != 32'h0)) begin
            p2$d = ((ev_framing) & 7'h7f);
        end
        else if (p2$q != 32'h7f) begin
            p2$d = p2$q + ((ev_framing) & 7'h7f);
        end
        if ((k$q == 32'h3) & (take != 32'h0)) begin
            p3$d = ((ev_overrun) & 7'h7f) + ((ev_overflow) & 7'h7f);
        end
        else if (p3$q != 32'h7f) begin
            p3$d = p3$q + ((ev_overrun) & 7'h7f) + ((ev_overflow) & 7'h7f);
        end
        if ((k$q == 32'h4) & (take != 32'h0)) begin
            p4$d = ((ev_duplicate) & 7'h7f);
        end
        else if (p4$q != 32'h7f) begin
            p4$d = p4$q + ((ev_duplicate) & 7'h7f);
        end
        if ((k$q == 32'h5) & (take != 32'h0)) begin
            p5$d = ((ev_refused) & 7'h7f);
        end
        else if (p5$q != 32'h7f) begin
            p5$d = p5$q + ((ev_refused) & 7'h7f);
        end
        if ((k$q == 32'h6) & (take != 32'h0)) begin
            p6$d = ((ev_inference) & 7'h7f);
        end
        else if (p6$q != 32'h7f) begin
            p6$d = p6$q + ((ev_inference) & 7'h7f);
        end
        if ((k$q == 32'h7) & (take != 32'h0)) begin
            p7$d = ((ev_word) & 7'h7f);
        end
        else if (p7$q != 32'h7f) begin
            p7$d = p7$q + ((ev_word) & 7'h7f);
        end
        if (reset) begin
            state$d = StatusState$Clear;
            clear$d = 32'h0;
            k$d = 32'h0;
            p0$d = 32'h0;
            p1$d = 32'h0;
            p2$d = 32'h0;
            p3$d = 32'h0;
            p4$d = 32'h0;
            p5$d = 32'h0;
            p6$d = 32'h0;
            p7$d = 32'h0;
        end
    end
    
endmodule // t_status


module t_status$addend(d,q,clock);
    
    // Module arguments
    input wire  [7:0] d;
    output reg  [7:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 8'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$addend


module t_status$clear(d,q,clock);
    
    // Module arguments
    input wire  [4:0] d;
    output reg  [4:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 5'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$clear


module t_status$j(d,q,clock);
    
    // Module arguments
    input wire  [1:0] d;
    output reg  [1:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 2'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$j


module t_status$k(d,q,clock);
    
    // Module arguments
    input wire  [2:0] d;
    output reg  [2:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 3'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$k


module t_status$p0(d,q,clock);
    
    // Module arguments
    input wire  [6:0] d;
    output reg  [6:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 7'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$p0


module t_status$p1(d,q,clock);
    
    // Module arguments
    input wire  [6:0] d;
    output reg  [6:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 7'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$p1


module t_status$p2(d,q,clock);
    
    // Module arguments
    input wire  [6:0] d;
    output reg  [6:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 7'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$p2


module t_status$p3(d,q,clock);
    
    // Module arguments
    input wire  [6:0] d;
    output reg  [6:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 7'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$p3


module t_status$p4(d,q,clock);
    
    // Module arguments
    input wire  [6:0] d;
    output reg  [6:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 7'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$p4


module t_status$p5(d,q,clock);
    
    // Module arguments
    input wire  [6:0] d;
    output reg  [6:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 7'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$p5


module t_status$p6(d,q,clock);
    
    // Module arguments
    input wire  [6:0] d;
    output reg  [6:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 7'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$p6


module t_status$p7(d,q,clock);
    
    // Module arguments
    input wire  [6:0] d;
    output reg  [6:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 7'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$p7


module t_status$ram(clock,read_addr,read_enable,read_data,write_addr,write_data,write_enable);
    
    // Module arguments
    input wire  clock;
    input wire  [12:0] read_addr;
    input wire  read_enable;
    output reg  [7:0] read_data;
    input wire  [12:0] write_addr;
    input wire  [7:0] write_data;
    input wire  write_enable;
    
    // Update code (custom)
    (* ram_style = "block" *) reg [7:0] mem [0:31];
    always @(posedge clock) begin
        if (read_enable) read_data <= mem[read_addr];
        if (write_enable) mem[write_addr] <= write_data;
    end
endmodule // t_status$ram


module t_status$state(d,q,clock);
    
    // Module arguments
    input wire  [1:0] d;
    output reg  [1:0] q;
    input wire  clock;
    
    // Enums
    localparam StatusState$Clear = 0;
    localparam StatusState$Scan = 1;
    localparam StatusState$Read = 2;
    localparam StatusState$Add = 3;
    
    // Update code (custom)
    initial begin
       q = 64'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_status$state
